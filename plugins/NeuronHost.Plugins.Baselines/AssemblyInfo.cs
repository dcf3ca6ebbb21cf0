namespace NeuronHost.Plugins.Baselines;
