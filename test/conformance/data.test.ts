/** The data cases (cases/data.ts) on every runner. */
import { data } from './cases/data.ts';
import { conform } from './conform.ts';

conform(data);
