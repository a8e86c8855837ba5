/** The mapping cases (cases/mapping.ts) on every runner, and with every mapped task a Distributed Map. */
import { mapping } from './cases/mapping.ts';
import { conform } from './conform.ts';
import { distributedRunner, runners } from './runners.ts';

conform(mapping, [...runners, distributedRunner]);
