import { dag, externalDagSensor, format, runValues, s3KeySensor, sensor, task, timeSensor } from 'updraft';

export default dag('sensors', { schedule: '0 6 * * *', timezone: 'Europe/Berlin', startDate: '2026-01-01' }, () => {
  const apiReady = sensor('api_ready', { pokeInterval: '5m', timeout: '2h' }, async (ctx) => {
    const res = await fetch(`https://partner.example/exports/${ctx.ds}`, { method: 'HEAD' });
    return res.ok; // true = done; or return { done: true, output: {...} } to pass data on
  });
  const landed = s3KeySensor('export_landed', {
    bucket: 'acme-partner-drop',
    key: format`exports/${runValues.ds}/orders.csv`,
    pokeInterval: '5m', backoff: 2, maxPokeInterval: '30m', // 5m, 10m, 20m, 30m, 30m …
    timeout: '6h',
    softFail: true, // on timeout: skipped, not failed
  });
  const ordersDone = externalDagSensor('orders_done', { dagId: 'daily_orders', pokeInterval: '10m', timeout: '8h' });
  const at9 = timeSensor('after_9', { after: '3h' }); // interval end (06:00) + 3h
  const importExport = task('import_export', async () => ({ imported: true }));

  for (const wait of [apiReady(), landed, ordersDone, at9]) wait.then(importExport);
});
