import type { UserDto } from '../api/types.js';
import { Page } from '../components/page.js';
import { Link } from '../router/link.js';
import { homePathFor } from '../session/role-routes.js';

/** For any client route the app does not know. */
export function NotFoundPage({ user }: { readonly user: UserDto | null }) {
  return (
    <Page title="Page not found" intro="There is nothing at this address. It may have moved, or the link may be mistyped.">
      <p>
        <Link to={user === null ? '/sign-in' : homePathFor(user.role)} className="button button-primary">
          {user === null ? 'Go to sign in' : 'Go to your start page'}
        </Link>
      </p>
    </Page>
  );
}
