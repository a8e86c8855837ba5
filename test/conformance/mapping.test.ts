/** The mapping cases (cases/mapping.ts) on every runner. */
import { mapping } from './cases/mapping.ts';
import { conform } from './conform.ts';

conform(mapping);
