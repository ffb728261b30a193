// Copies what tsc does not: node and credential icons (light and dark SVG), codex JSON and templates.
const { src, dest, parallel } = require('gulp');

function buildIcons() {
	return src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(
		dest('dist'),
	);
}

function buildCodex() {
	return src('nodes/**/*.node.json', { base: '.' }).pipe(dest('dist'));
}

function buildTemplates() {
	return src('templates/*.json', { base: '.' }).pipe(dest('dist'));
}

exports.build = parallel(buildIcons, buildCodex, buildTemplates);
exports.default = exports.build;
