import { isLayerWorkerThread } from './layer/workers.js';
import { run } from './main.js';
import { cleanUpOnSignals } from './util/temp.js';

// The bundle also runs as its own layer-writer threads; only the main
// thread is the Action.
if (!isLayerWorkerThread()) {
  // A cancelled workflow sends SIGINT, then SIGTERM: leave no temporaries.
  cleanUpOnSignals();
  await run();
}
