/** The sensors cases (cases/sensors.ts) on every runner. */
import { sensors } from './cases/sensors.ts';
import { conform } from './conform.ts';

conform(sensors);
