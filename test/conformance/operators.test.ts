/** The operators cases (cases/operators.ts) on every runner. */
import { operators } from './cases/operators.ts';
import { conform } from './conform.ts';

conform(operators);
