"""The spec itself (`GET /api/<version>/_openapi`) and Swagger UI, as FAB serves them,
with the spec's own operation documenting its 401 and 403.

FAB's view requires a login but documented only 200/404/500, so a client
following the spec, or schemathesis, met an undocumented 401. The classes
keep FAB's names (`OpenApi`, `SwaggerView`): their permissions and endpoints
stay the same. `FAB_ADD_OPENAPI_VIEWS` is off and `register_openapi_views`
adds these instead, before the view permissions are written.
"""
from __future__ import annotations

from flask import current_app
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_appbuilder.api.manager import OpenApi as FabOpenApi
from flask_appbuilder.api.manager import SwaggerView


class OpenApi(FabOpenApi):
    @expose("/<version>/_openapi")
    @protect()
    @safe
    def get(self, version):
        """The OpenAPI spec of every API of a version
        ---
        get:
          description: >-
            Get the OpenAPI spec for a specific API version
          parameters:
          - in: path
            schema:
              type: string
            name: version
          responses:
            200:
              description: The OpenAPI spec
              content:
                application/json:
                  schema:
                    type: object
            401:
              $ref: '#/components/responses/401'
            403:
              description: No permission to read the spec
              content:
                application/json:
                  schema: {type: object, properties: {message: {type: string}}}
            404:
              $ref: '#/components/responses/404'
        """
        api_spec = self._create_api_spec(version)
        found = False
        for base_api in current_app.appbuilder.baseviews:
            if isinstance(base_api, BaseApi) and base_api.version == version:
                base_api.add_api_spec(api_spec)
                found = True
        return self.response(200, **api_spec.to_dict()) if found else self.response_404()


def register_openapi_views(appbuilder) -> None:
    """What FAB's OpenApiManager adds with Swagger UI on, with our OpenApi."""
    if current_app.config.get("FAB_API_SWAGGER_UI", False):
        appbuilder.add_api(OpenApi)
        appbuilder.add_view_no_menu(SwaggerView)
