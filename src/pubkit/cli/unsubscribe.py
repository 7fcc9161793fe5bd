"""``pubkit unsubscribe serve``: the one-click unsubscribe endpoint under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from pubkit.cli.app import SiteOption, app, fail_usage, load_site

unsubscribe_app = typer.Typer(help="The unsubscribe endpoint newsletters link to.",
                              no_args_is_help=True)
app.add_typer(unsubscribe_app, name="unsubscribe")


@unsubscribe_app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (keep it local: "
                                      "put a reverse proxy with TLS in front).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8025,
    site: SiteOption = None,
) -> None:
    """Serve one-click unsubscribes (RFC 8058) and the confirmation page; records suppressions."""
    import uvicorn

    from pubkit.send.suppressions import StoreError, SuppressionStore, store_path
    from pubkit.send.tokens import DEFAULT_SECRET
    from pubkit.send.unsubscribe import EndpointConfig, create_app
    from pubkit.theme import Theme

    the_site = load_site(site)
    settings = the_site.settings
    if settings.email.token_secret == DEFAULT_SECRET:
        fail_usage("email.token_secret is still the default 'change-me': set a secret of 32 or "
                   "more random bytes first (the same one `pubkit send` uses)")
    store = store_path(the_site.root, settings.suppression.store)
    try:
        with SuppressionStore.open(store):
            pass  # fail now, with a clear message, rather than in the server's start-up
    except StoreError as exc:
        fail_usage(str(exc))
    config = EndpointConfig(store, settings.email.token_secret, Theme(the_site.templates_dir),
                            settings.site_name, settings.language)
    typer.echo(f"pubkit: unsubscribe endpoint on http://{host}:{port}/ recording into {store}",
               err=True)
    uvicorn.run(create_app(config), host=host, port=port, access_log=False, server_header=False,
                proxy_headers=True, forwarded_allow_ips="127.0.0.1", timeout_keep_alive=10,
                limit_concurrency=256, h11_max_incomplete_event_size=16 * 1024,
                log_level="warning")
