"""FAB's REST login (`POST /api/v1/security/login`), answering every body with a 4xx.

FAB read `provider` unchecked and answered a body without it with a 500
(KeyError). Here `provider` is optional and means the configured one ("db");
the spec says so, and lists the 429 of login throttling
(core/security/login_guard.py) and the 400 of a malformed body. The class
keeps FAB's name: its endpoint stays `SecurityApi.login`, which the login
guard and the CSRF guard name.
"""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.api import SecurityApi as FabSecurityApi

DEFAULT_PROVIDER = "db"


class SecurityApi(FabSecurityApi):
    @expose("/login", methods=["POST"])
    @safe
    def login(self):
        """Log in: a JWT access token (and a refresh token if asked)
        ---
        post:
          description: >-
            Authenticate and get a JWT access token (and a refresh token with
            `refresh: true`). After too many failures for a user name or from an
            address the answer is 429 with Retry-After.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [username, password]
                  properties:
                    username: {type: string, minLength: 1, example: admin}
                    password: {type: string, minLength: 1}
                    provider:
                      type: string
                      enum: [db]
                      default: db
                      description: the authentication provider; optional
                    refresh: {type: boolean, description: also return a refresh token}
          responses:
            200:
              description: Authentication successful
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      access_token: {type: string}
                      refresh_token: {type: string}
            400: {$ref: '#/components/responses/400'}
            401: {$ref: '#/components/responses/401'}
            429:
              description: Too many failed logins; retry after Retry-After seconds
              content:
                application/json:
                  schema:
                    type: object
                    properties: {message: {type: string}}
        """
        body = request.get_json(silent=True) if request.is_json else None
        if isinstance(body, dict) and "provider" not in body:
            body["provider"] = DEFAULT_PROVIDER  # the cached body FAB loads next
        return super().login()
