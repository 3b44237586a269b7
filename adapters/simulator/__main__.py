"""Run the PPU v3 provider simulator: `python -m adapters.simulator --port PORT [--config FILE]`."""

from adapters.ppu_v3.simulator.cli import main

if __name__ == "__main__":
    main()
