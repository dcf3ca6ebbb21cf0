namespace NeuronHost.Plugins.Probeless;
