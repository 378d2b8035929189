import { run } from './main.js';
import { cleanUpOnSignals } from './util/temp.js';

// A cancelled workflow sends SIGINT, then SIGTERM: leave no temporaries.
cleanUpOnSignals();
await run();
