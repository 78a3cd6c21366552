from efast_udp.cli import main

raise SystemExit(main())
