/**
 * `session`: the gateway session cookie (`security.session.cookie`, Linkis's
 * `linkis_user_session_ticket_id_v1`) set by /api/rest_j/v1/user/login and token-login.
 *
 * A ticket that is forged, unknown, expired or malformed is not an error here: the request simply
 * carries no usable session, the next strategy may still accept it (an SSO cookie, a token), and
 * otherwise the answer is the generic 401, as in Linkis. Never a 500.
 */
import { defineAuth, type SessionService } from '../../core/contracts.js';

export default defineAuth<Record<string, never>>({
  kind: 'auth',
  name: 'session',
  version: '1.0.0',
  priority: 0,
  description: 'The gateway session cookie set by the Linkis login endpoints',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create(_options, kit) {
    return {
      authenticate(request) {
        // Looked up per request: `labelgate check` and `explain` build plugins without a session
        // store, and without one no ticket can name a live session.
        const sessions = kit.services.sessions as SessionService | undefined;
        if (!sessions) return undefined;
        const ticket = request.cookies[sessions.cookieName];
        return ticket ? sessions.verify(ticket) : undefined;
      },
    };
  },
});
