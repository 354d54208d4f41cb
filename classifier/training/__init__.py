"""Learning subject classifiers from labelled documents."""
