'use strict';
// The pure core, for programmatic use (no n8n needed): normalization, hashing, state codec,
// planner, batching, retry and the two API clients. Build first (`npm run build`).
module.exports = require('./dist/core');
