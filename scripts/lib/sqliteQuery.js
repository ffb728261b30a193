'use strict';
// Runs one query against n8n's database with n8n's own sqlite3 build, under the host's Node:
//   <host node> sqliteQuery.js <n8n home> <database> <sql> <params as JSON> <output file>
// A separate process because the binding is built for the host's Node (24 for n8n 2.x), and
// loading it into another Node crashes that process.
const path = require('node:path');
const fs = require('node:fs');

const [home, dbPath, sql, paramsJson, outFile] = process.argv.slice(2);
const sqlite3 = require(path.join(home, 'node_modules', 'sqlite3'));
const db = new sqlite3.Database(dbPath, sqlite3.OPEN_READWRITE, (openError) => {
	if (openError) fail(openError);
	// A running server may hold the write lock for a moment.
	db.configure('busyTimeout', 5000);
	db.all(sql, JSON.parse(paramsJson), (error, rows) => {
		if (error) fail(error);
		fs.writeFileSync(outFile, JSON.stringify(rows));
		db.close(() => process.exit(0));
	});
});

function fail(error) {
	process.stderr.write(`${error.message}\n`);
	process.exit(1);
}
