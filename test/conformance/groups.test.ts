/** The groups cases (cases/groups.ts) on every runner. */
import { groups } from './cases/groups.ts';
import { conform } from './conform.ts';

conform(groups);
