from heroicrun.cli import main

main()
