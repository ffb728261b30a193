// ISO 3166-1 alpha-2 countries with what phone normalization needs: the calling code, the
// trunk prefix dialled before national numbers (and dropped in international form), and,
// where known, the length range of the national significant number (NSN, without trunk).
//
// Row format: iso2;iso3;calling code;trunk prefixes (slash-separated, '' = none);NSN min-max;
// names (English first, then aliases and native/French/Dutch/German names).
// Italy, San Marino and the Vatican have no trunk: their leading 0 is part of the number.
// NANP countries (calling code 1) use 10-digit national numbers; the '1' is handled in
// normalize.ts.

export interface CountryInfo {
	iso2: string;
	iso3: string;
	name: string;
	callingCode: string;
	/** Prefixes dialled nationally and dropped in international form (e.g. '0', '8', '06'). */
	trunkPrefixes: readonly string[];
	/** Length range of the national significant number, when known. */
	nsnMin?: number;
	nsnMax?: number;
}

const TABLE = [
	'ad;and;376;;6-9;Andorra|Andorre',
	'ae;are;971;0;8-9;United Arab Emirates|UAE|Emirates|Émirats arabes unis|Verenigde Arabische Emiraten|Vereinigte Arabische Emirate',
	'af;afg;93;0;9-9;Afghanistan',
	'ag;atg;1;1;10-10;Antigua and Barbuda|Antigua',
	'ai;aia;1;1;10-10;Anguilla',
	'al;alb;355;0;;Albania|Albanie|Albanië|Albanien|Shqipëri',
	'am;arm;374;0;8-8;Armenia|Arménie',
	'ao;ago;244;;9-9;Angola',
	'aq;ata;672;;;Antarctica|Antarctique',
	'ar;arg;54;0;;Argentina|Argentine|Argentinië|Argentinien',
	'as;asm;1;1;10-10;American Samoa',
	'at;aut;43;0;;Austria|Österreich|Autriche|Oostenrijk',
	'au;aus;61;0;9-9;Australia|Australie|Australië|Australien',
	'aw;abw;297;;7-7;Aruba',
	'ax;ala;358;0;;Åland Islands|Aland|Åland',
	'az;aze;994;0;9-9;Azerbaijan|Azerbaïdjan',
	'ba;bih;387;0;8-9;Bosnia and Herzegovina|Bosnia|Bosnia-Herzegovina|Bosnie-Herzégovine|Bosnië en Herzegovina|Bosnien und Herzegowina',
	'bb;brb;1;1;10-10;Barbados',
	'bd;bgd;880;0;;Bangladesh',
	'be;bel;32;0;8-9;Belgium|Belgique|België|Belgie|Belgien|Belgio|Bélgica',
	'bf;bfa;226;;8-8;Burkina Faso',
	'bg;bgr;359;0;;Bulgaria|Bulgarie|Bulgarije|Bulgarien|България',
	'bh;bhr;973;;8-8;Bahrain|Bahreïn',
	'bi;bdi;257;;8-8;Burundi',
	'bj;ben;229;;8-10;Benin|Bénin',
	'bl;blm;590;0;9-9;Saint Barthélemy|Saint-Barthélemy|St Barthelemy',
	'bm;bmu;1;1;10-10;Bermuda|Bermudes',
	'bn;brn;673;;7-7;Brunei|Brunei Darussalam',
	'bo;bol;591;0;;Bolivia|Bolivie|Plurinational State of Bolivia',
	'bq;bes;599;;7-7;Bonaire, Sint Eustatius and Saba|Caribbean Netherlands|Bonaire',
	'br;bra;55;0;10-11;Brazil|Brasil|Brésil|Brazilië|Brasilien',
	'bs;bhs;1;1;10-10;Bahamas|The Bahamas',
	'bt;btn;975;;7-8;Bhutan|Bhoutan',
	'bv;bvt;47;;8-8;Bouvet Island',
	'bw;bwa;267;;7-8;Botswana',
	'by;blr;375;80/8;9-9;Belarus|Biélorussie|Wit-Rusland|Weißrussland|Беларусь',
	'bz;blz;501;;7-7;Belize',
	'ca;can;1;1;10-10;Canada|Kanada',
	'cc;cck;61;0;9-9;Cocos (Keeling) Islands|Cocos Islands',
	'cd;cod;243;0;9-9;Democratic Republic of the Congo|DR Congo|DRC|Congo-Kinshasa|Congo, Democratic Republic of the|République démocratique du Congo|RDC',
	'cf;caf;236;;8-8;Central African Republic|République centrafricaine',
	'cg;cog;242;;9-9;Republic of the Congo|Congo|Congo-Brazzaville|Congo, Republic of the',
	'ch;che;41;0;9-9;Switzerland|Suisse|Schweiz|Svizzera|Zwitserland',
	'ci;civ;225;;10-10;Côte d\'Ivoire|Ivory Coast|Cote d Ivoire',
	'ck;cok;682;;5-5;Cook Islands',
	'cl;chl;56;;9-9;Chile|Chili',
	'cm;cmr;237;;9-9;Cameroon|Cameroun|Kameroen|Kamerun',
	'cn;chn;86;0;;China|Chine|People\'s Republic of China|PRC|中国',
	'co;col;57;;10-10;Colombia|Colombie|Kolumbien',
	'cr;cri;506;;8-8;Costa Rica',
	'cu;cub;53;0;;Cuba',
	'cv;cpv;238;;7-7;Cabo Verde|Cape Verde|Cap-Vert',
	'cw;cuw;599;;7-8;Curaçao|Curacao',
	'cx;cxr;61;0;9-9;Christmas Island',
	'cy;cyp;357;;8-8;Cyprus|Chypre|Cyprus|Zypern|Κύπρος',
	'cz;cze;420;;9-9;Czechia|Czech Republic|Česko|Česká republika|Tchéquie|République tchèque|Tsjechië|Tschechien',
	'de;deu;49;0;;Germany|Deutschland|Allemagne|Duitsland|Germania|Alemania',
	'dj;dji;253;;8-8;Djibouti',
	'dk;dnk;45;;8-8;Denmark|Danmark|Danemark|Denemarken|Dänemark',
	'dm;dma;1;1;10-10;Dominica|Dominique',
	'do;dom;1;1;10-10;Dominican Republic|République dominicaine|Dominicaanse Republiek',
	'dz;dza;213;0;8-9;Algeria|Algérie|Algerije|Algerien',
	'ec;ecu;593;0;8-9;Ecuador|Équateur',
	'ee;est;372;;7-8;Estonia|Eesti|Estonie|Estland',
	'eg;egy;20;0;;Egypt|Égypte|Egypte|Ägypten',
	'eh;esh;212;0;9-9;Western Sahara|Sahara occidental',
	'er;eri;291;0;7-7;Eritrea|Érythrée',
	'es;esp;34;;9-9;Spain|España|Espagne|Spanje|Spanien|Spagna',
	'et;eth;251;0;9-9;Ethiopia|Éthiopie',
	'fi;fin;358;0;;Finland|Suomi|Finlande|Finnland',
	'fj;fji;679;;7-7;Fiji|Fidji',
	'fk;flk;500;;5-5;Falkland Islands|Falklands|Malvinas',
	'fm;fsm;691;;7-7;Micronesia|Federated States of Micronesia',
	'fo;fro;298;;6-6;Faroe Islands|Faroes|Føroyar|Îles Féroé',
	'fr;fra;33;0;9-9;France|Frankrijk|Frankreich|Francia|République française',
	'ga;gab;241;;8-9;Gabon',
	'gb;gbr;44;0;9-10;United Kingdom|UK|U.K.|Great Britain|Britain|England|Scotland|Wales|Northern Ireland|United Kingdom of Great Britain and Northern Ireland|Royaume-Uni|Verenigd Koninkrijk|Vereinigtes Königreich|Grande-Bretagne|Angleterre|Engeland',
	'gd;grd;1;1;10-10;Grenada|Grenade',
	'ge;geo;995;0;9-9;Georgia|Géorgie|Sakartvelo',
	'gf;guf;594;0;9-9;French Guiana|Guyane|Guyane française',
	'gg;ggy;44;0;9-10;Guernsey|Guernesey',
	'gh;gha;233;0;9-9;Ghana',
	'gi;gib;350;;8-8;Gibraltar',
	'gl;grl;299;;6-6;Greenland|Groenland|Kalaallit Nunaat',
	'gm;gmb;220;;7-7;Gambia|The Gambia|Gambie',
	'gn;gin;224;;8-9;Guinea|Guinée',
	'gp;glp;590;0;9-9;Guadeloupe',
	'gq;gnq;240;;9-9;Equatorial Guinea|Guinée équatoriale',
	'gr;grc;30;;10-10;Greece|Hellas|Grèce|Griekenland|Griechenland|Ελλάδα',
	'gs;sgs;500;;5-5;South Georgia and the South Sandwich Islands|South Georgia',
	'gt;gtm;502;;8-8;Guatemala',
	'gu;gum;1;1;10-10;Guam',
	'gw;gnb;245;;7-9;Guinea-Bissau|Guinée-Bissau',
	'gy;guy;592;;7-7;Guyana',
	'hk;hkg;852;;8-8;Hong Kong|Hongkong',
	'hm;hmd;672;;;Heard Island and McDonald Islands',
	'hn;hnd;504;;8-8;Honduras',
	'hr;hrv;385;0;;Croatia|Hrvatska|Croatie|Kroatië|Kroatien',
	'ht;hti;509;;8-8;Haiti|Haïti',
	'hu;hun;36;06;8-9;Hungary|Magyarország|Hongrie|Hongarije|Ungarn',
	'id;idn;62;0;;Indonesia|Indonésie|Indonesië|Indonesien',
	'ie;irl;353;0;7-9;Ireland|Republic of Ireland|Éire|Eire|Irlande|Ierland|Irland',
	'il;isr;972;0;8-9;Israel|Israël',
	'im;imn;44;0;9-10;Isle of Man|Île de Man',
	'in;ind;91;0;10-10;India|Inde|Indien|Bharat',
	'io;iot;246;;7-7;British Indian Ocean Territory',
	'iq;irq;964;0;;Iraq|Irak',
	'ir;irn;98;0;10-10;Iran|Islamic Republic of Iran|Iran, Islamic Republic of',
	'is;isl;354;;7-9;Iceland|Ísland|Islande|IJsland|Island',
	'it;ita;39;;6-11;Italy|Italia|Italie|Italië|Italien',
	'je;jey;44;0;9-10;Jersey',
	'jm;jam;1;1;10-10;Jamaica|Jamaïque',
	'jo;jor;962;0;8-9;Jordan|Jordanie',
	'jp;jpn;81;0;9-10;Japan|Japon|日本',
	'ke;ken;254;0;9-9;Kenya',
	'kg;kgz;996;0;9-9;Kyrgyzstan|Kirghizistan',
	'kh;khm;855;0;8-9;Cambodia|Cambodge',
	'ki;kir;686;;5-8;Kiribati',
	'km;com;269;;7-7;Comoros|Comores',
	'kn;kna;1;1;10-10;Saint Kitts and Nevis|St Kitts and Nevis',
	'kp;prk;850;0;;North Korea|DPRK|Democratic People\'s Republic of Korea|Korea, Democratic People\'s Republic of',
	'kr;kor;82;0;;South Korea|Korea|Republic of Korea|Korea, Republic of|Corée du Sud|Zuid-Korea|Südkorea|대한민국',
	'kw;kwt;965;;8-8;Kuwait|Koweït',
	'ky;cym;1;1;10-10;Cayman Islands|Îles Caïmans',
	'kz;kaz;7;8;10-10;Kazakhstan|Kazakstan|Kasachstan|Қазақстан',
	'la;lao;856;0;;Laos|Lao People\'s Democratic Republic|Lao PDR',
	'lb;lbn;961;0;7-8;Lebanon|Liban|Libanon',
	'lc;lca;1;1;10-10;Saint Lucia|St Lucia|Sainte-Lucie',
	'li;lie;423;;7-9;Liechtenstein',
	'lk;lka;94;0;9-9;Sri Lanka',
	'lr;lbr;231;0;;Liberia',
	'ls;lso;266;;8-8;Lesotho',
	'lt;ltu;370;0/8;8-8;Lithuania|Lietuva|Lituanie|Litouwen|Litauen',
	'lu;lux;352;;;Luxembourg|Luxemburg|Lëtzebuerg|Luxemburgo',
	'lv;lva;371;;8-8;Latvia|Latvija|Lettonie|Letland|Lettland',
	'ly;lby;218;0;9-9;Libya|Libye|Libië|Libyen',
	'ma;mar;212;0;9-9;Morocco|Maroc|Marokko|Marruecos|المغرب',
	'mc;mco;377;;8-9;Monaco',
	'md;mda;373;0;8-8;Moldova|Republic of Moldova|Moldavie|Moldavië|Moldawien',
	'me;mne;382;0;8-9;Montenegro|Monténégro|Crna Gora',
	'mf;maf;590;0;9-9;Saint Martin|Saint-Martin|Saint Martin (French part)',
	'mg;mdg;261;0;9-9;Madagascar',
	'mh;mhl;692;;7-7;Marshall Islands|Îles Marshall',
	'mk;mkd;389;0;8-8;North Macedonia|Macedonia|Macédoine du Nord|Noord-Macedonië|Nordmazedonien',
	'ml;mli;223;;8-8;Mali',
	'mm;mmr;95;0;;Myanmar|Burma|Birmanie',
	'mn;mng;976;;8-8;Mongolia|Mongolie',
	'mo;mac;853;;8-8;Macao|Macau',
	'mp;mnp;1;1;10-10;Northern Mariana Islands',
	'mq;mtq;596;0;9-9;Martinique',
	'mr;mrt;222;;8-8;Mauritania|Mauritanie',
	'ms;msr;1;1;10-10;Montserrat',
	'mt;mlt;356;;8-8;Malta|Malte',
	'mu;mus;230;;7-8;Mauritius|Maurice|Île Maurice',
	'mv;mdv;960;;7-7;Maldives',
	'mw;mwi;265;0;;Malawi',
	'mx;mex;52;;10-10;Mexico|México|Mexique|Mexiko',
	'my;mys;60;0;;Malaysia|Malaisie|Maleisië',
	'mz;moz;258;;8-9;Mozambique|Moçambique',
	'na;nam;264;0;;Namibia|Namibie',
	'nc;ncl;687;;6-6;New Caledonia|Nouvelle-Calédonie',
	'ne;ner;227;;8-8;Niger',
	'nf;nfk;672;;;Norfolk Island',
	'ng;nga;234;0;;Nigeria',
	'ni;nic;505;;8-8;Nicaragua',
	'nl;nld;31;0;9-9;Netherlands|The Netherlands|Nederland|Holland|Pays-Bas|Niederlande|Paesi Bassi|Países Bajos|Kingdom of the Netherlands',
	'no;nor;47;;8-8;Norway|Norge|Noreg|Norvège|Noorwegen|Norwegen',
	'np;npl;977;0;;Nepal|Népal',
	'nr;nru;674;;7-7;Nauru',
	'nu;niu;683;;4-4;Niue',
	'nz;nzl;64;0;8-10;New Zealand|Aotearoa|Nouvelle-Zélande|Nieuw-Zeeland|Neuseeland',
	'om;omn;968;;8-8;Oman',
	'pa;pan;507;;7-8;Panama|Panamá',
	'pe;per;51;0;8-9;Peru|Perú|Pérou',
	'pf;pyf;689;;8-8;French Polynesia|Polynésie française|Tahiti',
	'pg;png;675;;7-8;Papua New Guinea|Papouasie-Nouvelle-Guinée',
	'ph;phl;63;0;;Philippines|Pilipinas|Filipijnen',
	'pk;pak;92;0;;Pakistan',
	'pl;pol;48;;9-9;Poland|Polska|Pologne|Polen|Polonia',
	'pm;spm;508;;6-6;Saint Pierre and Miquelon|Saint-Pierre-et-Miquelon',
	'pn;pcn;64;0;;Pitcairn|Pitcairn Islands',
	'pr;pri;1;1;10-10;Puerto Rico|Porto Rico',
	'ps;pse;970;0;;Palestine|State of Palestine|Palestinian Territories',
	'pt;prt;351;;9-9;Portugal',
	'pw;plw;680;;7-7;Palau',
	'py;pry;595;0;;Paraguay',
	'qa;qat;974;;8-8;Qatar',
	're;reu;262;0;9-9;Réunion|Reunion|La Réunion',
	'ro;rou;40;0;9-9;Romania|România|Roumanie|Roemenië|Rumänien',
	'rs;srb;381;0;;Serbia|Srbija|Serbie|Servië|Serbien|Србија',
	'ru;rus;7;8;10-10;Russia|Russian Federation|Russie|Rusland|Russland|Россия',
	'rw;rwa;250;0;9-9;Rwanda',
	'sa;sau;966;0;9-9;Saudi Arabia|Arabie saoudite|Saoedi-Arabië|Saudi-Arabien',
	'sb;slb;677;;5-7;Solomon Islands|Îles Salomon',
	'sc;syc;248;;7-7;Seychelles',
	'sd;sdn;249;0;9-9;Sudan|Soudan',
	'se;swe;46;0;7-9;Sweden|Sverige|Suède|Zweden|Schweden',
	'sg;sgp;65;;8-8;Singapore|Singapour',
	'sh;shn;290;;4-5;Saint Helena, Ascension and Tristan da Cunha|Saint Helena',
	'si;svn;386;0;8-8;Slovenia|Slovenija|Slovénie|Slovenië|Slowenien',
	'sj;sjm;47;;8-8;Svalbard and Jan Mayen|Svalbard',
	'sk;svk;421;0;9-9;Slovakia|Slovensko|Slovaquie|Slowakije|Slowakei',
	'sl;sle;232;0;8-8;Sierra Leone',
	'sm;smr;378;;6-10;San Marino|Saint-Marin',
	'sn;sen;221;;9-9;Senegal|Sénégal',
	'so;som;252;0;;Somalia|Somalie',
	'sr;sur;597;;6-7;Suriname',
	'ss;ssd;211;0;9-9;South Sudan|Soudan du Sud',
	'st;stp;239;;7-7;Sao Tome and Principe|São Tomé and Príncipe|Sao Tomé-et-Principe',
	'sv;slv;503;;8-8;El Salvador|Salvador',
	'sx;sxm;1;1;10-10;Sint Maarten|Sint Maarten (Dutch part)',
	'sy;syr;963;0;;Syria|Syrian Arab Republic|Syrie',
	'sz;swz;268;;8-8;Eswatini|Swaziland',
	'tc;tca;1;1;10-10;Turks and Caicos Islands',
	'td;tcd;235;;8-8;Chad|Tchad',
	'tf;atf;262;0;9-9;French Southern Territories|Terres australes françaises',
	'tg;tgo;228;;8-8;Togo',
	'th;tha;66;0;8-9;Thailand|Thaïlande|Thailand|ประเทศไทย',
	'tj;tjk;992;;9-9;Tajikistan|Tadjikistan',
	'tk;tkl;690;;4-7;Tokelau',
	'tl;tls;670;;7-8;Timor-Leste|East Timor|Timor Oriental',
	'tm;tkm;993;8;8-8;Turkmenistan|Turkménistan',
	'tn;tun;216;;8-8;Tunisia|Tunisie|Tunesië|Tunesien',
	'to;ton;676;;5-7;Tonga',
	'tr;tur;90;0;10-10;Türkiye|Turkey|Turkiye|Turquie|Turkije|Türkei',
	'tt;tto;1;1;10-10;Trinidad and Tobago|Trinidad',
	'tv;tuv;688;;5-6;Tuvalu',
	'tw;twn;886;0;8-9;Taiwan|Taïwan|台灣',
	'tz;tza;255;0;9-9;Tanzania|United Republic of Tanzania|Tanzanie',
	'ua;ukr;380;0;9-9;Ukraine|Oekraïne|Україна',
	'ug;uga;256;0;9-9;Uganda|Ouganda',
	'um;umi;1;1;10-10;United States Minor Outlying Islands',
	'us;usa;1;1;10-10;United States|United States of America|USA|U.S.A.|U.S.|US of A|America|États-Unis|Etats-Unis|Verenigde Staten|Vereinigte Staaten|Estados Unidos|Stati Uniti',
	'uy;ury;598;0;8-8;Uruguay',
	'uz;uzb;998;;9-9;Uzbekistan|Ouzbékistan',
	'va;vat;39;;6-11;Vatican City|Vatican|Holy See|Cité du Vatican',
	'vc;vct;1;1;10-10;Saint Vincent and the Grenadines|St Vincent and the Grenadines',
	've;ven;58;0;10-10;Venezuela|Bolivarian Republic of Venezuela',
	'vg;vgb;1;1;10-10;British Virgin Islands|Virgin Islands, British',
	'vi;vir;1;1;10-10;U.S. Virgin Islands|US Virgin Islands|Virgin Islands, U.S.',
	'vn;vnm;84;0;9-10;Vietnam|Viet Nam|Việt Nam',
	'vu;vut;678;;5-7;Vanuatu',
	'wf;wlf;681;;6-6;Wallis and Futuna|Wallis-et-Futuna',
	'ws;wsm;685;;5-7;Samoa',
	'xk;xkx;383;0;8-9;Kosovo',
	'ye;yem;967;0;;Yemen|Yémen',
	'yt;myt;262;0;9-9;Mayotte',
	'za;zaf;27;0;9-9;South Africa|Afrique du Sud|Zuid-Afrika|Südafrika|RSA',
	'zm;zmb;260;0;9-9;Zambia|Zambie',
	'zw;zwe;263;0;9-9;Zimbabwe',
];

/** Shared calling codes: whose numbering plan a '+<code>' number is checked against. */
const PRIMARY_BY_CALLING_CODE: Readonly<Record<string, string>> = {
	'1': 'us',
	'7': 'ru',
	'39': 'it',
	'44': 'gb',
	'47': 'no',
	'61': 'au',
	'64': 'nz',
	'212': 'ma',
	'262': 're',
	'358': 'fi',
	'500': 'fk',
	'590': 'gp',
	'599': 'cw',
	'672': 'nf',
};

function parseRow(row: string): CountryInfo {
	const [iso2, iso3, callingCode, trunk, nsn, names] = row.split(';');
	const info: CountryInfo = {
		iso2,
		iso3,
		name: names.split('|')[0],
		callingCode,
		trunkPrefixes: trunk ? trunk.split('/') : [],
	};
	if (nsn) {
		const [min, max] = nsn.split('-');
		info.nsnMin = Number(min);
		info.nsnMax = Number(max);
	}
	return info;
}

export const COUNTRIES: readonly CountryInfo[] = TABLE.map(parseRow);

const BY_ISO2 = new Map<string, CountryInfo>();
const BY_CALLING_CODE = new Map<string, CountryInfo>();
// Lookup by a folded form (see fold()), and a cache of raw inputs already seen: item
// countries repeat a lot, so most calls end at the first Map.get.
const BY_FOLDED = new Map<string, string>();
const RAW_CACHE = new Map<string, string>();
const RAW_CACHE_LIMIT = 10_000;

/** Lowercase, accents removed, '&' as 'and', letters only (any script). */
function fold(value: string): string {
	return value
		.normalize('NFD')
		.replace(/\p{M}/gu, '')
		.toLowerCase()
		.replace(/&/g, 'and')
		.replace(/[^\p{L}]/gu, '');
}

for (let i = 0; i < TABLE.length; i++) {
	const info = COUNTRIES[i];
	BY_ISO2.set(info.iso2, info);
	const primary = PRIMARY_BY_CALLING_CODE[info.callingCode];
	if (primary === info.iso2 || (!primary && !BY_CALLING_CODE.has(info.callingCode))) {
		BY_CALLING_CODE.set(info.callingCode, info);
	}
}
for (let i = 0; i < TABLE.length; i++) {
	const info = COUNTRIES[i];
	BY_FOLDED.set(info.iso2, info.iso2);
	BY_FOLDED.set(info.iso3, info.iso2);
	for (const name of TABLE[i].split(';')[5].split('|')) {
		const key = fold(name);
		// Two-letter aliases must not shadow an ISO code ('UK' is not assigned, so it is safe).
		if (key.length > 2 || !BY_ISO2.has(key)) {
			if (!BY_FOLDED.has(key)) BY_FOLDED.set(key, info.iso2);
		}
	}
}

/**
 * ISO 3166-1 alpha-2 code (lowercase) for a country code (alpha-2 or alpha-3, any case) or
 * name (English, common aliases, some native/French/Dutch/German names); '' when unknown.
 */
export function countryToIso2(value: unknown): string {
	if (typeof value !== 'string') return '';
	const cached = RAW_CACHE.get(value);
	if (cached !== undefined) return cached;
	let result = '';
	if (value.length <= 80) {
		const key = fold(value);
		result = BY_FOLDED.get(key) ?? (key.startsWith('the') ? BY_FOLDED.get(key.slice(3)) ?? '' : '');
	}
	// Bounded: hostile input must not grow the cache without limit.
	if (RAW_CACHE.size >= RAW_CACHE_LIMIT) RAW_CACHE.clear();
	RAW_CACHE.set(value, result);
	return result;
}

/** The table entry for a lowercase alpha-2 code. */
export function countryInfo(iso2: string): CountryInfo | undefined {
	return BY_ISO2.get(iso2);
}

/** The country whose numbering plan governs '+<callingCode>' numbers. */
export function countryForCallingCode(callingCode: string): CountryInfo | undefined {
	return BY_CALLING_CODE.get(callingCode);
}

/**
 * The calling code an international number (digits only, no '+') starts with, or ''.
 * Calling codes are prefix-free, so the first match from the shortest length is the only one.
 */
export function matchCallingCode(digits: string): string {
	for (let len = 1; len <= 3 && len <= digits.length; len++) {
		const code = digits.slice(0, len);
		if (BY_CALLING_CODE.has(code)) return code;
	}
	return '';
}
