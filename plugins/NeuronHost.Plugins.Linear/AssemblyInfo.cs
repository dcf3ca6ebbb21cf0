namespace NeuronHost.Plugins.Linear;
