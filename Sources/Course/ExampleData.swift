// The course's example data and plotting helpers (counterparts of TorchRay's get_example_data and plot_example).
