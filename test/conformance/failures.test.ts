/** The failures cases (cases/failures.ts) on every runner. */
import { failures } from './cases/failures.ts';
import { conform } from './conform.ts';

conform(failures);
