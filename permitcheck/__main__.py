from permitcheck.cli import main

main()
