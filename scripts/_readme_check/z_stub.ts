import { dag, task } from 'updraft';
export default dag('daily_orders', () => { task('x', async () => 1)(); });
