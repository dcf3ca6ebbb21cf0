namespace NeuronHost.Plugins.CrossModel;
