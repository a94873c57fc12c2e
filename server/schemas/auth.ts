/** Accounts: login, logout, the logged-in user. */
import { Type } from 'typebox';

export const Role = Type.Union([Type.Literal('admin'), Type.Literal('planner'), Type.Literal('street_editor'), Type.Literal('viewer')]);
export const Me = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  display_name: Type.String(),
  role: Role,
  role_name_zh: Type.String(),
  streets: Type.Array(Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String() }), { description: 'streets a street editor may edit' }),
});
export const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export const LoggedIn = Type.Object({ user: Me, token: Type.String(), expires_at: Type.String({ format: 'date-time' }) });
export const LoggedOut = Type.Object({ ok: Type.Boolean() });
