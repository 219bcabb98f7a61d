from safeledger.cli.app import main

main()
