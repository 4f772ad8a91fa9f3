from osmi.cli import main

raise SystemExit(main())
