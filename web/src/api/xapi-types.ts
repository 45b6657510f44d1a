/**
 * Wire types of LRS credentials (from the server's schemas, type-only) and of the xAPI statements a
 * consultant reads on a reader's page. A statement is the specification's JSON as the LRS stores
 * it: every part the page shows is optional here, because content sends many shapes.
 */
export type { LrsCredentialDto } from '../../../src/http/routes/lrs-credential-routes.js';
import type { LrsCredentialDto } from '../../../src/http/routes/lrs-credential-routes.js';

/** POST /api/lrs-credentials: the credential and its secret, which is never shown again. */
export interface CreatedLrsCredentialDto {
  readonly credential: LrsCredentialDto;
  readonly secret: string;
}

/** An xAPI language map: language tag to text, e.g. `{"en-US": "completed"}`. */
export type LanguageMap = Readonly<Record<string, string>>;

export interface XapiScore {
  readonly scaled?: number;
  readonly raw?: number;
  readonly min?: number;
  readonly max?: number;
}

export interface XapiResult {
  readonly score?: XapiScore;
  readonly success?: boolean;
  readonly completion?: boolean;
  readonly response?: string;
  readonly duration?: string;
}

/** The statement's object: an Activity (the usual case), an Agent or Group, a StatementRef or a SubStatement. */
export interface XapiObject {
  readonly objectType?: string;
  readonly id?: string;
  readonly definition?: { readonly name?: LanguageMap; readonly description?: LanguageMap; readonly type?: string };
  readonly name?: string;
  readonly mbox?: string;
  readonly mbox_sha1sum?: string;
  readonly openid?: string;
  readonly account?: { readonly homePage?: string; readonly name?: string };
  readonly verb?: XapiVerb;
  readonly object?: XapiObject;
}

export interface XapiVerb {
  readonly id: string;
  readonly display?: LanguageMap;
}

export interface XapiStatement {
  readonly id: string;
  readonly actor?: XapiObject;
  readonly verb: XapiVerb;
  readonly object: XapiObject;
  readonly result?: XapiResult;
  readonly timestamp?: string;
  readonly stored?: string;
}

/** GET /api/readers/:id/statements: one page, newest first. */
export interface StatementsPageDto {
  readonly statements: XapiStatement[];
  readonly nextCursor: string | null;
}
