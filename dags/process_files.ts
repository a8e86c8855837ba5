/**
 * Fan-out over files with dynamic task mapping: list the files that landed for the day, process
 * each one in its own task instance (at most 8 at once), then summarize all results together.
 * The number of files is only known at run time; an empty day skips `process` and `summarize`.
 */
import { dag, task } from 'updraft';

interface FileResult {
  readonly key: string;
  readonly records: number;
}

export default dag(
  'process_files',
  {
    description: 'Process every file that landed in the inbox, in parallel.',
    owner: 'ingest',
    tags: ['ingest', 'mapping'],
    schedule: '@hourly',
    startDate: '2026-11-01',
    retry: { attempts: 2, delay: '30s' },
  },
  () => {
    const listFiles = task('list_files', async (ctx): Promise<string[]> => {
      const hour = ctx.logicalDate.toISOString().slice(0, 13);
      return [`inbox/${hour}/a.csv`, `inbox/${hour}/b.csv`, `inbox/${hour}/c.csv`];
    });

    const process = task('process', { maxConcurrency: 8, timeout: '5m' }, async (ctx, key: string, delimiter: string): Promise<FileResult> => {
      ctx.log.info('processing', { key, delimiter, mapIndex: ctx.mapIndex });
      return { key, records: key.length * 10 };
    });

    const summarize = task('summarize', async (_ctx, results: FileResult[]) => ({
      files: results.length,
      records: results.reduce((n, r) => n + r.records, 0),
    }));

    summarize(process.map(listFiles(), ';'));
  },
);
