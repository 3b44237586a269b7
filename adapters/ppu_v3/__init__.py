"""PPU Service Interface v3: the provider client adapter, its wire models and a simulator."""
