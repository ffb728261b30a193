'use strict';
// A core Transport on node:http for the benchmarks (the JS twin of test/support/nodeTransport.tsx):
// JSON body, lower-case headers, parsed body, no throw on HTTP errors. Keep-alive, as n8n's
// helpers.httpRequest keeps connections too.
const http = require('node:http');
const { buildUrl, lowerCaseHeaders, parseBody } = require('./core');

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

function createTransport({ timeoutMs = 300000 } = {}) {
	return (request) =>
		new Promise((resolve, reject) => {
			const url = new URL(buildUrl(request.url, request.qs));
			const bodyText = request.body === undefined ? undefined : JSON.stringify(request.body);
			const headers = { accept: 'application/json', ...(request.headers || {}) };
			if (bodyText !== undefined) {
				headers['content-type'] = 'application/json';
				headers['content-length'] = String(Buffer.byteLength(bodyText));
			}
			const req = http.request(url, { method: request.method, headers, agent }, (res) => {
				const chunks = [];
				res.on('data', (chunk) => chunks.push(chunk));
				res.on('error', reject);
				res.on('end', () => {
					resolve({
						status: res.statusCode || 0,
						headers: lowerCaseHeaders(res.headers),
						body: parseBody(Buffer.concat(chunks).toString('utf8')),
					});
				});
			});
			const timeout = request.timeoutMs || timeoutMs;
			req.setTimeout(timeout, () => req.destroy(new Error(`request timed out after ${timeout} ms`)));
			req.on('error', reject);
			if (bodyText !== undefined) req.write(bodyText);
			req.end();
		});
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { createTransport, sleep, agent };
