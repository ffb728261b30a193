// One Actito audience ↔ one Meta audience. The first sync writes a marker naming the link into
// the Meta audience's description; a sync from another link refuses to touch that audience.

const MARKER = /\[actito-meta link: ([^\]]*)\]/;

export function readLinkMarker(description: unknown): string | null {
	if (typeof description !== 'string') return null;
	const match = MARKER.exec(description);
	return match ? match[1] : null;
}

export function withLinkMarker(description: unknown, link: string): string {
	const text = typeof description === 'string' ? description.replace(MARKER, '').trim() : '';
	return (text ? `${text} ` : '') + `[actito-meta link: ${link}]`;
}

export class LinkConflictError extends Error {
	constructor(
		readonly audienceId: string,
		readonly holder: string,
		readonly link: string,
	) {
		super(
			`Meta audience ${audienceId} is already synchronized from another Actito audience (${holder}). ` +
				`One Meta audience takes one Actito audience: pick another Meta audience for ${link}, or release this one by ` +
				`deactivating the workflow of ${holder} and removing "[actito-meta link: ${holder}]" from the audience's description in Ads Manager.`,
		);
		this.name = 'LinkConflictError';
	}
}

/** Returns the description to write, or null when the marker is already right. Throws on a conflict. */
export function claimAudience(audienceId: string, description: unknown, link: string): string | null {
	const holder = readLinkMarker(description);
	if (holder === link) return null;
	if (holder) throw new LinkConflictError(audienceId, holder, link);
	return withLinkMarker(description, link);
}
