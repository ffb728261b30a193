'use strict';
// Deterministic, realistic Actito profiles for the sandbox. The same options (seed included)
// always give the same profiles, so tests can compute expectations and benchmarks can compare
// runs. The data is deliberately messy the way real marketing databases are: e-mails with
// mixed case and stray spaces, a few malformed ones, phones typed in national and
// international forms, countries as ISO codes or names, missing values.

/** mulberry32: tiny, fast, good enough to spread values; not for security. */
function createRandom(seed) {
	let a = (Number(seed) >>> 0) || 0x9e3779b9;
	return function random() {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const FIRST_NAMES = [
	['Élodie', 'F'], ['François', 'M'], ['Zoë', 'F'], ['Jürgen', 'M'], ['Søren', 'M'], ['Anaïs', 'F'],
	['Noël', 'M'], ['Chloé', 'F'], ['Jérôme', 'M'], ['Hélène', 'F'], ['Maëlle', 'F'], ['José', 'M'],
	['Jan', 'M'], ['Sophie', 'F'], ['Lucas', 'M'], ['Emma', 'F'], ['Liam', 'M'], ['Olivia', 'F'],
	['Pieter', 'M'], ['Anke', 'F'], ['Thomas', 'M'], ['Marie', 'F'], ['Björn', 'M'], ['Inès', 'F'],
	['Oliver', 'M'], ['Charlotte', 'F'], ['Wouter', 'M'], ['Saskia', 'F'], ['Jean-Luc', 'M'], ['Ana', 'F'],
];
const LAST_NAMES = [
	'Dupont', 'Peeters', 'Janssens', 'De Smet', 'Van den Broeck', 'Müller', 'Schäfer', 'Lefèvre',
	'Girard', 'Mercier', 'García', 'Núñez', 'de Vries', 'Jansen', 'Bakker', 'Smith', 'Johnson',
	'Brown', 'Taylor', 'Wilson', "O'Brien", 'Dubois', 'Lambert', 'Maes', 'Claes', 'Wouters',
	'Fischer', 'Weiß', 'Çelik', 'Øvergaard',
];
const DOMAINS = ['gmail.com', 'hotmail.com', 'outlook.com', 'yahoo.fr', 'telenet.be', 'skynet.be', 'orange.fr', 'web.de', 'ziggo.nl', 'example.com'];

// Country, share of profiles, names people type for it, mobile phone forms.
const COUNTRIES = [
	{ code: 'BE', share: 0.35, names: ['Belgium', 'Belgique', 'België', 'belgium'] },
	{ code: 'FR', share: 0.2, names: ['France', 'france'] },
	{ code: 'NL', share: 0.15, names: ['Netherlands', 'Nederland', 'The Netherlands'] },
	{ code: 'DE', share: 0.1, names: ['Germany', 'Deutschland'] },
	{ code: 'US', share: 0.1, names: ['United States', 'USA', 'United States of America'] },
	{ code: 'GB', share: 0.1, names: ['United Kingdom', 'UK', 'Great Britain'] },
];

function pick(random, list) {
	return list[Math.floor(random() * list.length)];
}

function digits(random, n) {
	let out = '';
	for (let i = 0; i < n; i++) out += Math.floor(random() * 10);
	return out;
}

function stripAccents(text) {
	return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ß/g, 'ss').replace(/ø/gi, 'o');
}

/** A mobile number for the country, in one of the forms people actually type. */
function phoneFor(random, code) {
	const form = random();
	switch (code) {
		case 'BE': {
			const n = pick(random, ['470', '471', '472', '475', '476', '477', '478', '479', '484', '485', '486', '487', '488', '494', '495', '496', '497', '498']) + digits(random, 6);
			const spaced = `${n.slice(0, 3)} ${n.slice(3, 5)} ${n.slice(5, 7)} ${n.slice(7)}`;
			if (form < 0.3) return `0${spaced}`;
			if (form < 0.45) return `0${n}`;
			if (form < 0.5) return `0${n.slice(0, 3)}/${n.slice(3, 5)}.${n.slice(5, 7)}.${n.slice(7)}`;
			if (form < 0.75) return `+32 ${spaced}`;
			if (form < 0.9) return `+32${n}`;
			return `0032${n}`;
		}
		case 'FR': {
			const n = pick(random, ['6', '7']) + digits(random, 8);
			const spaced = `${n[0]} ${n.slice(1, 3)} ${n.slice(3, 5)} ${n.slice(5, 7)} ${n.slice(7)}`;
			if (form < 0.4) return `0${spaced}`;
			if (form < 0.5) return `0${n.replace(/(\d)(\d\d)(\d\d)(\d\d)(\d\d)/, '$1.$2.$3.$4.$5')}`;
			if (form < 0.8) return `+33 ${spaced}`;
			return `0033${n}`;
		}
		case 'NL': {
			const n = '6' + digits(random, 8);
			if (form < 0.4) return `06 ${n.slice(1)}`;
			if (form < 0.5) return `06-${n.slice(1)}`;
			if (form < 0.8) return `+31 6 ${n.slice(1)}`;
			return `0031${n}`;
		}
		case 'DE': {
			const n = pick(random, ['151', '152', '157', '160', '170', '171', '176']) + digits(random, 8);
			if (form < 0.4) return `0${n.slice(0, 3)} ${n.slice(3)}`;
			if (form < 0.75) return `+49 ${n.slice(0, 3)} ${n.slice(3)}`;
			return `0049 ${n}`;
		}
		case 'US': {
			const area = pick(random, ['212', '310', '415', '512', '617', '646', '702', '917']);
			const n = `${area}${pick(random, ['2', '3', '4', '5', '6', '7', '8'])}${digits(random, 6)}`;
			if (form < 0.35) return `(${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`;
			if (form < 0.55) return `${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`;
			if (form < 0.85) return `+1 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`;
			return `001 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`;
		}
		default: {
			// GB
			const n = '7' + digits(random, 9);
			if (form < 0.4) return `0${n.slice(0, 4)} ${n.slice(4)}`;
			if (form < 0.8) return `+44 ${n.slice(0, 4)} ${n.slice(4)}`;
			return `0044 ${n.slice(0, 4)} ${n.slice(4)}`;
		}
	}
}

function emailFor(random, first, last, index) {
	const local = stripAccents(`${first}.${last}`).replace(/[^A-Za-z.-]/g, '');
	const domain = pick(random, DOMAINS);
	// The index keeps e-mails unique (emailAddress is a unique attribute in Actito).
	let email = `${local}${index}@${domain}`;
	const casing = random();
	if (casing < 0.6) email = email.toLowerCase();
	else if (casing < 0.7) email = email.replace(/@.*/, (d) => d.toUpperCase());
	const malformed = random();
	if (malformed < 0.01) email = email.replace('@', '@@');
	else if (malformed < 0.02) email = email.replace('@', ' at ');
	else if (malformed < 0.03) email = email.replace(/@.*/, '@');
	else if (malformed < 0.04) email = email.replace(/\.[a-z]+$/i, '');
	const spaces = random();
	if (spaces < 0.05) email = ` ${email}`;
	else if (spaces < 0.1) email = `${email} `;
	return email;
}

function pad(n) {
	return String(n).padStart(2, '0');
}

/**
 * Generates profiles deterministically.
 * @param {{profiles?: number, seed?: number, firstId?: number,
 *   segmentations?: {category: string, name: string, members?: number}[],
 *   consent?: {true?: number, false?: number, absent?: number}}} options
 * @returns {{profileId: string, attributes: Record<string, unknown>,
 *   subscriptions: {name: string, subscribe: boolean}[], segments: string[]}[]}
 */
function generateProfiles(options = {}) {
	const count = Math.max(0, Math.floor(options.profiles ?? 100));
	const random = createRandom(options.seed ?? 1);
	const firstId = options.firstId ?? 1001;
	const consent = options.consent ?? { true: 0.7, false: 0.2, absent: 0.1 };
	const consentTotal = (consent.true ?? 0) + (consent.false ?? 0) + (consent.absent ?? 0) || 1;
	const profiles = [];
	for (let i = 0; i < count; i++) {
		const id = firstId + i;
		const [first, sex] = pick(random, FIRST_NAMES);
		const last = pick(random, LAST_NAMES);
		let roll = random();
		let country = COUNTRIES[COUNTRIES.length - 1];
		for (const c of COUNTRIES) {
			if (roll < c.share) {
				country = c;
				break;
			}
			roll -= c.share;
		}
		const attributes = { firstName: first, lastName: last };
		if (random() < 0.95) attributes.emailAddress = emailFor(random, first, last, id);
		if (random() < 0.9) attributes.gsmNumber = phoneFor(random, country.code);
		const countryForm = random();
		if (countryForm < 0.6) attributes.country = country.code;
		else if (countryForm < 0.65) attributes.country = country.code.toLowerCase();
		else if (countryForm < 0.92) attributes.country = pick(random, country.names);
		const c = random() * consentTotal;
		if (c < (consent.true ?? 0)) attributes.marketingConsent = true;
		else if (c < (consent.true ?? 0) + (consent.false ?? 0)) attributes.marketingConsent = false;
		if (random() < 0.8) {
			attributes.birthDate = `${1950 + Math.floor(random() * 55)}-${pad(1 + Math.floor(random() * 12))}-${pad(1 + Math.floor(random() * 28))}`;
		}
		if (random() < 0.85) attributes.sex = sex;
		const created = Date.UTC(2020, 0, 1) + Math.floor(random() * 5 * 365 * 86400) * 1000;
		attributes.creationMoment = new Date(created).toISOString();
		const subscriptions = [{ name: 'Newsletter', subscribe: random() < 0.6 }];
		profiles.push({ profileId: String(id), attributes, subscriptions, segments: [] });
	}
	const segmentations = options.segmentations ?? [{ category: 'Audiences', name: 'VIP', members: Math.floor(count / 4) }];
	for (const seg of segmentations) {
		const members = Math.min(count, Math.max(0, Math.floor(seg.members ?? count / 4)));
		// Partial Fisher-Yates: exactly `members` distinct profiles, chosen by the seed.
		const order = profiles.map((_, i) => i);
		for (let i = 0; i < members; i++) {
			const j = i + Math.floor(random() * (order.length - i));
			[order[i], order[j]] = [order[j], order[i]];
			profiles[order[i]].segments.push(`${seg.category}:${seg.name}`);
		}
	}
	return profiles;
}

module.exports = { generateProfiles, createRandom, phoneFor, COUNTRIES };
