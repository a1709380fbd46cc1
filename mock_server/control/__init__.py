"""The control plane under the reserved /_mock prefix: never mixed with emulated routes."""


def init_app(app):
    from . import views

    app.register_blueprint(views.bp)
