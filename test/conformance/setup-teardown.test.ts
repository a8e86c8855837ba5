/** The setup/teardown cases (cases/setup-teardown.ts) on every runner. */
import { setupTeardown } from './cases/setup-teardown.ts';
import { conform } from './conform.ts';

conform(setupTeardown);
