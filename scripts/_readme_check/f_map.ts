import { dag, task } from 'updraft';

interface FileResult {
  readonly key: string;
  readonly records: number;
}

export default dag('fan_out', () => {
  const listFiles = task('list_files', async (ctx): Promise<string[]> => [`inbox/${ctx.ds}/a.csv`, `inbox/${ctx.ds}/b.csv`]);
  const parse = task('parse', { maxConcurrency: 8 }, async (ctx, key: string, delimiter: string): Promise<FileResult> => {
    ctx.log.info('parsing', { key, delimiter, mapIndex: ctx.mapIndex });
    return { key, records: 10 };
  });
  const summarize = task('summarize', async (_ctx, results: FileResult[]) => results.length);

  summarize(parse.map(listFiles(), ';')); // one `parse` per file, ';' passed to each
});
