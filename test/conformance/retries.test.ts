/** The retries cases (cases/retries.ts) on every runner. */
import { retries } from './cases/retries.ts';
import { conform } from './conform.ts';

conform(retries);
