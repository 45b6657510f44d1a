/**
 * The Learning Record Store's storage ports (xAPI statements, documents and LRS credentials).
 * The LRS at /xapi validates and shapes everything; these ports only keep and find it, so both
 * engines answer the same. Methods throw AppError with the codes named in their comments.
 */

/**
 * The key statements store an agent named by `mbox` under (`mailto:` IRI, compared without
 * regard to case), as agentKeyOf in xapi/ makes it.
 */
export function mboxAgentKey(mbox: string): string {
  return `mbox:${mbox.toLowerCase()}`;
}

/** The agent key of the statements whose actor is the user with this email (mbox `mailto:` + email). */
export function agentKeyOfEmail(email: string): string {
  return mboxAgentKey(`mailto:${email}`);
}

/** An attachment's raw bytes, found by its SHA-2 hash (hex), as statements name it. */
export interface XapiAttachment {
  readonly sha2: string;
  readonly contentType: string;
  readonly content: Uint8Array;
}

/** One statement as the LRS keeps it: its JSON as stored, and what queries filter on. */
export interface XapiStatementRecord {
  /** Lower-case UUID. */
  readonly id: string;
  /** The statement's JSON as it is returned by `format=exact` (with stored, authority, version). */
  readonly json: string;
  /** Epoch ms of `stored`. */
  readonly storedAt: number;
  readonly verbId: string;
  readonly registration: string | null;
  /** The statement this one targets by StatementRef (voiding or not), or null. */
  readonly refersTo: string | null;
  /** True when the verb voids: the target, once known, drops out of queries. */
  readonly voids: boolean;
  /** Agent keys (see agentKeyOf in xapi/) this statement names; `related: false` for actor and object. */
  readonly agents: readonly { readonly key: string; readonly related: boolean }[];
  /** Activity ids; `related: false` for the object only. */
  readonly activities: readonly { readonly id: string; readonly related: boolean }[];
  /** Activity definitions seen in the statement, kept for the Activities resource (the latest wins). */
  readonly definitions: readonly { readonly id: string; readonly definition: string }[];
  /** The LRS credential that sent it. */
  readonly credentialId: number | null;
}

/** A statement read back. */
export interface StoredXapiStatement {
  readonly id: string;
  readonly json: string;
  readonly storedAt: number;
  readonly voided: boolean;
  /** Order of storage: larger is later. */
  readonly sequence: number;
}

/** A statement query's filters, already validated; null or false means "not filtered". */
export interface XapiStatementQuery {
  readonly agentKey: string | null;
  readonly relatedAgents: boolean;
  readonly verbId: string | null;
  readonly activityId: string | null;
  readonly relatedActivities: boolean;
  readonly registration: string | null;
  /** Exclusive, epoch ms. */
  readonly since: number | null;
  /** Inclusive, epoch ms. */
  readonly until: number | null;
  readonly ascending: boolean;
  /**
   * The order of the result (newest first unless ascending): `stored` by the time stored, then
   * storage order among equal times (a query with since or until); `sequence` by storage order.
   */
  readonly order: XapiStatementOrder;
  /** Continue after this sequence (in the query's order); null for the first page. */
  readonly after: number | null;
  /** In `stored` order, the stored time (epoch ms) of the statement `after` names; else null. */
  readonly afterStored: number | null;
  readonly limit: number;
}

export type XapiStatementOrder = 'stored' | 'sequence';

/** Statements: kept whole, found by id or by the xAPI query parameters. */
export interface XapiStatementStore {
  /**
   * Stores statements and their attachments, all or nothing. A statement voiding another marks
   * it voided (unless that one voids, too); a target arriving after its voiding statement is
   * stored voided. Throws `conflict` if a statement id is taken.
   */
  insertStatements(records: readonly XapiStatementRecord[], attachments: readonly XapiAttachment[]): Promise<void>;
  /** The statements with these ids (voided or not), in no particular order. */
  getStatements(ids: readonly string[]): Promise<StoredXapiStatement[]>;
  /**
   * Up to `limit` non-voided statements matching every filter, in the query's order (newest
   * first unless ascending). A statement targeting another by StatementRef matches the non-time filters
   * when its target (recursively) does.
   */
  queryStatements(query: XapiStatementQuery): Promise<StoredXapiStatement[]>;
  /** The attachments with these hashes that are stored. */
  getAttachments(sha2s: readonly string[]): Promise<XapiAttachment[]>;
  /** Epoch ms of the latest `stored`, or null when there is no statement. */
  lastStoredAt(): Promise<number | null>;
  /** The latest definition stored for an activity (JSON), or null when none was ever given. */
  getActivityDefinition(activityId: string): Promise<string | null>;
  /**
   * Up to `limit` non-voided statements whose actor is this agent (by its key, see agentKeyOf in
   * xapi/), newest stored first, stored before the statement of sequence `before` (null: from the
   * newest). For a reader's page, keyset-paginated by sequence.
   */
  listStatementsByAgent(agentKey: string, page: { readonly before: number | null; readonly limit: number }): Promise<StoredXapiStatement[]>;
}

export type XapiDocumentKind = 'state' | 'activity-profile' | 'agent-profile';

/** Where a document set lives: unused parts are empty strings. */
export interface XapiDocumentScope {
  readonly kind: XapiDocumentKind;
  readonly activityId: string;
  readonly agentKey: string;
  readonly registration: string;
}

export interface XapiDocument {
  readonly contentType: string;
  readonly content: Uint8Array;
  /** A quoted SHA-1 of the content. */
  readonly etag: string;
  /** Epoch ms. */
  readonly updatedAt: number;
}

/** The State, Activity Profile and Agent Profile resources' documents. */
export interface XapiDocumentStore {
  /** The document, or null. */
  getDocument(scope: XapiDocumentScope, documentId: string): Promise<XapiDocument | null>;
  /** The ids of the scope's documents updated after `since` (epoch ms; null for all), in id order. */
  listDocumentIds(scope: XapiDocumentScope, since: number | null): Promise<string[]>;
  /** Creates or replaces one document. */
  putDocument(scope: XapiDocumentScope, documentId: string, document: XapiDocument): Promise<void>;
  /** Removes one document; removing an absent one is not an error. */
  deleteDocument(scope: XapiDocumentScope, documentId: string): Promise<void>;
  /** Removes every document of the scope. */
  deleteDocuments(scope: XapiDocumentScope): Promise<void>;
}

/** A key and secret that may call /xapi; only a hash of the secret is kept. */
export interface LrsCredential {
  readonly id: number;
  readonly name: string;
  readonly key: string;
  /** Epoch ms. */
  readonly createdAt: number;
}

export interface NewLrsCredential {
  readonly name: string;
  readonly key: string;
  readonly secretHash: string;
}

/** LRS credentials, managed by consultants. */
export interface LrsCredentialStore {
  /** Stores a credential. Throws `conflict` if the key is taken. */
  createLrsCredential(input: NewLrsCredential): Promise<LrsCredential>;
  /** Every credential, newest first. */
  listLrsCredentials(): Promise<LrsCredential[]>;
  /** The credential with this key and its secret's hash, or null. */
  findLrsCredential(key: string): Promise<{ credential: LrsCredential; secretHash: string } | null>;
  /** Removes a credential; what it sent stays. Throws `not_found`. */
  deleteLrsCredential(id: number): Promise<void>;
}
