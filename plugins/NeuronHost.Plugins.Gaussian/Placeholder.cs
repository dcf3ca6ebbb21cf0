namespace NeuronHost.Plugins.Gaussian;
