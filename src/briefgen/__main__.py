"""`python -m briefgen` and the `briefgen` command: a build goes to a running build server
(`briefgen serve`) through the thin client when it can, else the command line runs here."""

import gc
import sys


def run() -> None:
    """The program's entry point."""
    argv = sys.argv[1:]
    if argv[:1] == ["build"]:
        # The imports allocate a great many objects that live as long as the process; the cyclic
        # collector would walk them again and again. Collection resumes, with those objects set
        # aside (gc.freeze), once the build starts its work (cli.build, charts.helper).
        gc.disable()
        # The client loads only the standard library: a served build skips every other import.
        from briefgen.server.client import try_build

        code = try_build(argv[1:])
        if code is not None:
            sys.exit(code)
        # Built here: matplotlib loads and the charts are drawn in a helper on the other processor.
        from briefgen.charts.helper import start

        start()
    try:
        from briefgen.cli import main  # click and the commands only when no server took the build
    except KeyboardInterrupt:
        # Ctrl-C while the program loads: nothing has been read or written yet.
        print("已中断。", file=sys.stderr)
        sys.exit(130)
    main()


if __name__ == "__main__":
    run()
