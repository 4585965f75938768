from cme.cli import main

main()
