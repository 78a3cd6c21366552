"""Publishing: the static site in ``public/`` (``efast-udp site``), a local server for it
(``efast-udp serve``) and saving the UDP on a back-end (``efast-udp publish-backend``)."""
