/** The branching cases (cases/branching.ts) on every runner. */
import { branching } from './cases/branching.ts';
import { conform } from './conform.ts';

conform(branching);
