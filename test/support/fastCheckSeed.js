// Property tests run with a fixed seed by default, so that a run of the test command is
// repeatable; FC_SEED=random (or a number) explores other inputs. A failure prints its seed.
const fc = require('fast-check');

const wanted = process.env.FC_SEED;
if (wanted !== 'random') fc.configureGlobal({ seed: wanted ? Number(wanted) : 20261129 });
