// The status pages as people read them: self-contained HTML (inline CSS and SVG, no script, no
// external asset), readable on a laptop and a phone. Every value is escaped; the view holds no
// identifier, token or raw error body (core/status/view.ts builds it).

import { ago, when, type RunRow, type StatusView } from './view';

export function escapeHtml(value: unknown): string {
	return String(value ?? '')
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
}

const e = escapeHtml;
const n = (v: number) => v.toLocaleString('en-US');

const CSS = `
:root{--ink:#1f2933;--muted:#5f6b7a;--line:#e3e8ef;--bg:#f6f8fb;--card:#fff;--ok:#137a3f;--okbg:#e3f6ea;--warn:#8a5a00;--warnbg:#fff3d6;--bad:#b42318;--badbg:#fde8e6;--accent:#1a5fd0}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:1120px;margin:0 auto;padding:20px 16px 40px}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:8px 16px;margin-bottom:12px}
h1{font-size:24px;margin:0}h2{font-size:16px;margin:0 0 10px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.sub{color:var(--muted)}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px;margin:12px 0}
.state{border-left:6px solid var(--ok)}.state.pending,.state.running,.state.new{border-left-color:#d08a00}.state.stopped,.state.failing{border-left-color:var(--bad)}
.state p{margin:4px 0}.state .big{font-size:20px;font-weight:600}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:12px}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.kpi .label{color:var(--muted);font-size:13px}.kpi .value{font-size:22px;font-weight:600;overflow-wrap:anywhere}.kpi .value.moment{font-size:18px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
table{width:100%;border-collapse:collapse;font-size:14px}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);white-space:nowrap}
th{color:var(--muted);font-weight:600;white-space:normal;vertical-align:bottom}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;background:var(--okbg);color:var(--ok)}
.badge.warn{background:var(--warnbg);color:var(--warn)}.badge.bad{background:var(--badbg);color:var(--bad)}
a{color:var(--accent)}
form{display:flex;flex-wrap:wrap;gap:8px;align-items:center}input[type=text]{font:inherit;padding:6px 10px;border:1px solid #c5cdd8;border-radius:6px;min-width:12em}
button{font:inherit;padding:6px 14px;border:0;border-radius:6px;background:var(--accent);color:#fff;cursor:pointer}
.check{margin-top:10px}.check li{margin:2px 0}
svg{width:100%;height:auto;display:block}.legend{display:flex;gap:14px;font-size:13px;color:var(--muted)}.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:middle}
footer{color:var(--muted);font-size:13px;margin-top:20px}
@media (max-width:560px){h1{font-size:20px}.kpi .value{font-size:18px}th,td{padding:5px 6px}}
`;

function page(title: string, body: string): string {
	return (
		'<!doctype html><html lang="en"><head><meta charset="utf-8">' +
		'<meta name="viewport" content="width=device-width,initial-scale=1">' +
		'<meta name="robots" content="noindex">' +
		`<title>${e(title)}</title><style>${CSS}</style></head><body><main>${body}</main></body></html>`
	);
}

function kpi(label: string, value: string, testId: string, note = '', moment = false): string {
	return `<div class="kpi"><div class="label">${e(label)}</div><div class="value${moment ? ' moment' : ''}" data-testid="${testId}">${value || '—'}</div>${note ? `<div class="sub">${note}</div>` : ''}</div>`;
}

function badgeFor(status: string): string {
	const cls = status === 'success' ? '' : status === 'partial' || status === 'running' ? ' warn' : ' bad';
	return `<span class="badge${cls}">${e(status)}</span>`;
}

/** Inline SVG: member count after each run (line) and adds / removes per run (bars), oldest first. */
export function renderChart(runs: RunRow[]): string {
	const rows = [...runs].reverse();
	if (rows.length === 0) return '<p class="sub">No run yet.</p>';
	const W = 960;
	const H = 220;
	const pad = { l: 52, r: 12, t: 12, b: 24 };
	const iw = W - pad.l - pad.r;
	const ih = H - pad.t - pad.b;
	const maxCount = Math.max(1, ...rows.map((r) => r.membersAfter));
	const maxChange = Math.max(1, ...rows.map((r) => Math.max(r.added, r.removed)));
	const step = iw / rows.length;
	const bw = Math.max(2, Math.min(14, step / 3));
	const x = (i: number) => pad.l + step * (i + 0.5);
	const yCount = (v: number) => pad.t + ih - (v / maxCount) * ih;
	// Square-root scale: a first full run's thousands of adds must not flatten the hourly tens.
	const barH = (v: number) => Math.sqrt(v / maxChange) * (ih * 0.45);
	const bars = rows
		.map((r, i) => {
			const a = barH(r.added);
			const d = barH(r.removed);
			return (
				`<rect x="${(x(i) - bw).toFixed(1)}" y="${(pad.t + ih - a).toFixed(1)}" width="${bw.toFixed(1)}" height="${a.toFixed(1)}" fill="#5cb176"><title>${e(when(r.startedAt))}: +${n(r.added)}</title></rect>` +
				`<rect x="${x(i).toFixed(1)}" y="${(pad.t + ih - d).toFixed(1)}" width="${bw.toFixed(1)}" height="${d.toFixed(1)}" fill="#e0796b"><title>${e(when(r.startedAt))}: −${n(r.removed)}</title></rect>`
			);
		})
		.join('');
	const points = rows.map((r, i) => `${x(i).toFixed(1)},${yCount(r.membersAfter).toFixed(1)}`).join(' ');
	const dots = rows
		.map((r, i) => `<circle cx="${x(i).toFixed(1)}" cy="${yCount(r.membersAfter).toFixed(1)}" r="3" fill="#1a5fd0"><title>${e(when(r.startedAt))}: ${n(r.membersAfter)} members</title></circle>`)
		.join('');
	const first = rows[0]?.startedAt ? when(rows[0].startedAt).slice(5, 16) : '';
	const last = rows[rows.length - 1]?.startedAt ? when(rows[rows.length - 1].startedAt).slice(5, 16) : '';
	return (
		`<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Members and changes over the last ${rows.length} runs">` +
		`<line x1="${pad.l}" y1="${pad.t + ih}" x2="${W - pad.r}" y2="${pad.t + ih}" stroke="#c5cdd8"/>` +
		`<line x1="${pad.l}" y1="${pad.t}" x2="${W - pad.r}" y2="${pad.t}" stroke="#eef1f5"/>` +
		`<text x="${pad.l - 6}" y="${pad.t + 4}" text-anchor="end" font-size="11" fill="#5f6b7a">${e(n(maxCount))}</text>` +
		`<text x="${pad.l - 6}" y="${pad.t + ih}" text-anchor="end" font-size="11" fill="#5f6b7a">0</text>` +
		bars +
		`<polyline points="${points}" fill="none" stroke="#1a5fd0" stroke-width="2"/>` +
		dots +
		`<text x="${pad.l}" y="${H - 6}" font-size="11" fill="#5f6b7a">${e(first)}</text>` +
		`<text x="${W - pad.r}" y="${H - 6}" text-anchor="end" font-size="11" fill="#5f6b7a">${e(last)}</text>` +
		'</svg>' +
		`<div class="legend"><span><i style="background:#1a5fd0"></i>members after the run</span><span><i style="background:#5cb176"></i>added (max ${e(n(maxChange))}, square-root scale)</span><span><i style="background:#e0796b"></i>removed</span></div>`
	);
}

function estimate(meta: NonNullable<StatusView['meta']>): string {
	const { lowerBound: lo, upperBound: hi } = meta;
	if (lo !== null && hi !== null && lo !== hi) return `${n(lo)} – ${n(hi)}`;
	if (hi !== null) return n(hi);
	if (lo !== null) return n(lo);
	return '';
}

export { estimate as estimatedSizeText };

function runsTable(runs: RunRow[]): string {
	if (runs.length === 0) return '<p class="sub">No run yet.</p>';
	const rows = runs
		.map(
			(r) =>
				`<tr><td>${e(when(r.startedAt))}</td><td>${badgeFor(r.status)}</td><td>${e(r.replace ? 'replace' : r.mode)}</td>` +
				`<td class="num">${n(r.added)}</td><td class="num">${n(r.removed)}</td><td class="num">${n(r.unchanged)}</td>` +
				`<td class="num">${n(r.invalid)}</td><td class="num">${n(r.blockedForConsent)}</td><td class="num">${n(r.membersAfter)}</td></tr>`,
		)
		.join('');
	return (
		'<div class="scroll"><table data-testid="runs"><thead><tr><th>Started</th><th>Status</th><th>Mode</th><th class="num">Added</th><th class="num">Removed</th>' +
		'<th class="num">Unchanged</th><th class="num">No valid identifier</th><th class="num">Refused consent</th><th class="num">Members after</th></tr></thead>' +
		`<tbody>${rows}</tbody></table></div>`
	);
}

function profileSection(view: StatusView, options: { profileAsked?: boolean; formAction?: string }): string {
	const p = view.profile;
	let result = '';
	if (p) {
		const yes = (v: boolean) => (v ? '<span class="badge">yes</span>' : '<span class="badge bad">no</span>');
		result =
			'<ul class="check" data-testid="profile-check">' +
			`<li>Is member (in Actito): ${yes(p.isMember)}</li>` +
			`<li>Is at Meta: ${yes(p.atMeta)}</li>` +
			`<li>Is synchronized: ${yes(p.synchronized)}</li>` +
			(p.whyNot ? `<li data-testid="profile-why">${e(p.whyNot)}</li>` : '') +
			'</ul>';
	} else if (options.profileAsked) {
		result = '<p class="sub" data-testid="profile-why">Enter a profile ID (digits only): never an e-mail address.</p>';
	}
	return (
		'<section class="card"><h2>Check a profile</h2>' +
		`<form method="get" action="${e(options.formAction ?? '')}" autocomplete="off"><label for="profile">Actito profile ID</label>` +
		'<input id="profile" name="profile" type="text" inputmode="numeric" pattern="[0-9]{1,18}" maxlength="18" required>' +
		'<button type="submit">Check</button></form>' +
		result +
		'</section>'
	);
}

export interface RenderOptions {
	/** A profile id was asked for but refused (not an id): say how to ask. */
	profileAsked?: boolean;
	/** Where the profile form goes (default: this same page). */
	formAction?: string;
	/** Link back to the overview, when the page is reached from it. */
	overviewHref?: string;
}

/** The status page of one link. */
export function renderStatusPage(view: StatusView, options: RenderOptions = {}): string {
	const s = view.state;
	const d = view.definition;
	const meta = view.meta;
	const stateCard =
		`<section class="card state ${e(s.code)}" data-testid="state" data-state="${e(s.code)}">` +
		`<p class="big" data-testid="state-text">${e(s.text)}</p>` +
		(s.fix ? `<p data-testid="state-fix">${e(s.fix)}${s.fixUrl ? ` Accept them here: <a href="${e(s.fixUrl)}" rel="noreferrer noopener" target="_blank">${e(s.fixUrl)}</a>` : ''}</p>` : '') +
		(s.since ? `<p class="sub">Since ${e(when(s.since))}.</p>` : '') +
		(view.nextRunAt ? `<p class="sub">Next run: ${e(when(view.nextRunAt))}.</p>` : '') +
		(view.refusalsToLog > 0 ? `<p class="sub">${e(n(view.refusalsToLog))} consent refusals wait to be written to Actito’s audit table.</p>` : '') +
		'</section>';
	const kpis =
		'<div class="grid">' +
		kpi('Nb members', e(n(view.memberCount)), 'members') +
		kpi('Last member updated on', e(when(view.lastMemberUpdateAt)), 'last-member-update', view.lastMemberUpdateAt ? e(ago(view.lastMemberUpdateAt, view.now)) : '', true) +
		kpi('Synchronized on', e(when(view.syncedAt)), 'synced-on', view.syncedAt ? e(ago(view.syncedAt, view.now)) : 'empty while changes wait', true) +
		kpi(
			'Meta estimated size',
			meta ? e(estimate(meta)) : '',
			'meta-size',
			meta?.tooSmall ? '<span class="badge warn" data-testid="too-small">too small (under 1,000)</span>' : '',
		) +
		'</div>';
	const definition =
		'<section class="card"><h2>Definition</h2><dl>' +
		`<dt>Audience</dt><dd data-testid="def-audience">${e(d.audience ?? '')}</dd>` +
		`<dt>Database (entity)</dt><dd data-testid="def-entity">${e(d.entity ?? '')}</dd>` +
		`<dt>Profile table</dt><dd data-testid="def-table">${e(d.table ?? '')}</dd>` +
		`<dt>Created on</dt><dd>${e(when(d.createdAt))}</dd>` +
		`<dt>Activated on</dt><dd>${e(when(d.activatedAt))}</dd>` +
		`<dt>Last full reconcile</dt><dd>${e(when(view.lastFullReconcileAt))}</dd>` +
		'</dl></section>';
	const linked =
		'<section class="card"><h2>Linked audience at Meta</h2>' +
		(meta
			? meta.unavailable
				? `<p class="sub">${e(meta.unavailable)}</p>`
				: '<dl>' +
					`<dt>Name</dt><dd data-testid="meta-name">${e(meta.name ?? '')}</dd>` +
					`<dt>Estimated size</dt><dd>${e(estimate(meta))} ${meta.tooSmall ? '<span class="badge warn">too small</span>' : ''}</dd>` +
					(meta.delivery ? `<dt>Delivery</dt><dd>${e(meta.delivery)}</dd>` : '') +
					(meta.checkedAt ? `<dt>Checked</dt><dd>${e(when(meta.checkedAt))}</dd>` : '') +
					'</dl>'
			: '<p class="sub">Not asked.</p>') +
		'</section>';
	const body =
		`<header><h1 data-testid="name">${e(view.name)}</h1><span class="sub">Actito → Meta audience link</span>` +
		(options.overviewHref ? `<a href="${e(options.overviewHref)}">All audiences</a>` : '') +
		'</header>' +
		stateCard +
		kpis +
		`<section class="card"><h2>Last runs</h2>${renderChart(view.runs)}${runsTable(view.runs)}</section>` +
		'<div class="grid" style="grid-template-columns:repeat(auto-fit,minmax(300px,1fr))">' +
		definition +
		linked +
		'</div>' +
		profileSection(view, options) +
		`<footer>Page made ${e(when(view.now))} from the link’s stored state; Meta’s size is cached for a minute. Add <code>?format=json</code> for the same data as JSON.</footer>`;
	return page(`${view.name} — Actito → Meta`, body);
}

export interface OverviewRow {
	name: string;
	href: string | null;
	view: StatusView | null;
	/** Set when the link's status could not be read (no text from the answer: just what failed). */
	problem: string | null;
}

/** The overview of every link of one integration: one row per audience. */
export function renderOverviewPage(rows: OverviewRow[], options: { title?: string; now: string }): string {
	const body = rows
		.map((r) => {
			const v = r.view;
			// The link's own name first (two links may share one Actito audience), then what it joins.
			const label = r.name || v?.name || 'Audience link';
			const joins = v ? `<div class="sub">${e(v.definition.audience ?? '')}${v.meta?.name ? ` → ${e(v.meta.name)}` : ''}</div>` : '';
			const name = (r.href ? `<a href="${e(r.href)}" data-testid="o-name">${e(label)}</a>` : `<span data-testid="o-name">${e(label)}</span>`) + joins;
			if (!v) return `<tr data-testid="overview-row"><td>${name}</td><td colspan="6"><span class="badge bad">unavailable</span> ${e(r.problem ?? '')}</td></tr>`;
			const badges: string[] = [];
			if (v.state.code === 'stopped' || v.state.code === 'failing') badges.push(`<span class="badge bad" data-testid="badge">${v.state.code === 'stopped' ? 'stopped' : 'failing'}</span>`);
			else if (v.state.code === 'synchronized') badges.push('<span class="badge" data-testid="badge">in sync</span>');
			else badges.push(`<span class="badge warn" data-testid="badge">${e(v.state.code === 'pending' ? 'waiting' : v.state.code)}</span>`);
			if (v.meta?.tooSmall) badges.push('<span class="badge warn" data-testid="badge">too small</span>');
			return (
				`<tr data-testid="overview-row"><td style="white-space:normal;min-width:11em">${name}</td><td class="num" data-testid="o-members">${e(n(v.memberCount))}</td>` +
				`<td>${e(when(v.lastMemberUpdateAt))}</td><td data-testid="o-synced">${e(when(v.syncedAt))}</td>` +
				`<td style="white-space:normal;min-width:12em" data-testid="o-status">${e(v.state.text)}</td>` +
				`<td class="num" data-testid="o-size">${v.meta ? e(estimate(v.meta)) : ''}</td><td>${badges.join(' ')}</td></tr>`
			);
		})
		.join('');
	const title = options.title ?? 'Actito → Meta audiences';
	const stopped = rows.filter((r) => r.view && (r.view.state.code === 'stopped' || r.view.state.code === 'failing')).length;
	const html =
		`<header><h1>${e(title)}</h1><span class="sub">${e(n(rows.length))} audience link${rows.length === 1 ? '' : 's'}${stopped ? `, ${e(n(stopped))} need attention` : ''}</span></header>` +
		'<section class="card"><div class="scroll"><table data-testid="overview"><thead><tr><th>Audience</th><th class="num">Nb members</th><th>Last member updated on</th>' +
		'<th>Synchronized on</th><th>Status</th><th class="num">Meta estimated size</th><th></th></tr></thead>' +
		`<tbody>${body || '<tr><td colspan="7" class="sub">No link yet.</td></tr>'}</tbody></table></div></section>` +
		`<footer>Made ${e(when(options.now))} from each link’s status page. Add <code>?format=json</code> for the same data as JSON.</footer>`;
	return page(title, html);
}
