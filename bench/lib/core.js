'use strict';
// The built core (npm run build): the same code the package ships.
const path = require('node:path');
const fs = require('node:fs');

const entry = path.join(__dirname, '..', '..', 'dist', 'core', 'index.js');
if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first (npm run bench does)`);
module.exports = require(entry);
