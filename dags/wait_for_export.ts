/**
 * Sensors: wait (at no compute cost) for the partner's export to land in S3, polling every 5
 * minutes and backing off up to 30 minutes, for at most 6 hours; if it never comes, the run is
 * skipped rather than failed (soft fail). Also waits for `daily_orders` of the same day.
 */
import { dag, externalDagSensor, format, runValues, s3KeySensor, task } from 'updraft';

export default dag(
  'wait_for_export',
  {
    description: "Import the partner's daily export once it has landed.",
    owner: 'partners',
    tags: ['sensor', 'partners'],
    schedule: '0 6 * * *',
    timezone: 'Europe/Berlin',
    startDate: '2026-01-01',
  },
  () => {
    const landed = s3KeySensor('export_landed', {
      bucket: 'acme-partner-drop',
      key: format`exports/${runValues.ds}/orders.csv`,
      pokeInterval: '5m',
      backoff: 2,
      maxPokeInterval: '30m',
      timeout: '6h',
      softFail: true,
    });
    const ordersDone = externalDagSensor('orders_done', { dagId: 'daily_orders', pokeInterval: '10m', timeout: '8h', offset: '4h' });

    const importExport = task('import_export', { connections: ['partner_sftp'] }, async (ctx) => {
      ctx.log.info('importing', { ds: ctx.ds });
      return { imported: true };
    });

    landed.then(importExport);
    ordersDone.then(importExport);
  },
);
