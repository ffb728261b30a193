// US states, the District of Columbia, territories and military "states" (USPS codes), for
// the ST key: Meta wants the 2-letter code for US addresses.

const STATES: Readonly<Record<string, string>> = {
	al: 'Alabama',
	ak: 'Alaska',
	az: 'Arizona',
	ar: 'Arkansas',
	ca: 'California',
	co: 'Colorado',
	ct: 'Connecticut',
	de: 'Delaware',
	dc: 'District of Columbia|Washington DC|Washington D.C.',
	fl: 'Florida',
	ga: 'Georgia',
	hi: 'Hawaii',
	id: 'Idaho',
	il: 'Illinois',
	in: 'Indiana',
	ia: 'Iowa',
	ks: 'Kansas',
	ky: 'Kentucky',
	la: 'Louisiana',
	me: 'Maine',
	md: 'Maryland',
	ma: 'Massachusetts',
	mi: 'Michigan',
	mn: 'Minnesota',
	ms: 'Mississippi',
	mo: 'Missouri',
	mt: 'Montana',
	ne: 'Nebraska',
	nv: 'Nevada',
	nh: 'New Hampshire',
	nj: 'New Jersey',
	nm: 'New Mexico',
	ny: 'New York|New York State',
	nc: 'North Carolina',
	nd: 'North Dakota',
	oh: 'Ohio',
	ok: 'Oklahoma',
	or: 'Oregon',
	pa: 'Pennsylvania',
	ri: 'Rhode Island',
	sc: 'South Carolina',
	sd: 'South Dakota',
	tn: 'Tennessee',
	tx: 'Texas',
	ut: 'Utah',
	vt: 'Vermont',
	va: 'Virginia',
	wa: 'Washington|Washington State',
	wv: 'West Virginia',
	wi: 'Wisconsin',
	wy: 'Wyoming',
	as: 'American Samoa',
	gu: 'Guam',
	mp: 'Northern Mariana Islands',
	pr: 'Puerto Rico',
	vi: 'U.S. Virgin Islands|US Virgin Islands|Virgin Islands',
	um: 'United States Minor Outlying Islands',
	aa: 'Armed Forces Americas',
	ae: 'Armed Forces Europe',
	ap: 'Armed Forces Pacific',
};

/** Folded (lowercase a–z only) name or code → code. */
const BY_FOLDED = new Map<string, string>();
for (const code of Object.keys(STATES)) {
	BY_FOLDED.set(code, code);
	for (const name of STATES[code].split('|')) {
		BY_FOLDED.set(name.toLowerCase().replace(/[^a-z]/g, ''), code);
	}
}

export const US_STATE_CODES: readonly string[] = Object.keys(STATES);

/** The lowercase 2-letter code for a US state/territory name or code, or ''. */
export function usStateCode(value: string): string {
	if (value.length > 60) return '';
	const key = value
		.normalize('NFD')
		.replace(/\p{M}/gu, '')
		.toLowerCase()
		.replace(/[^a-z]/g, '');
	return BY_FOLDED.get(key) ?? '';
}
