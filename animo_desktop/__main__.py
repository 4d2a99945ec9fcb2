from animo_desktop.cli import main

raise SystemExit(main())
